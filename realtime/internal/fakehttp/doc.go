// Package fakehttp is the plumbing the fake HTTP model servers share
// (openaicompattest and geminiturntest): a loopback server whose hanging
// answers end when it closes, a script of replies that records the
// requests, and a writer of server-sent events.
package fakehttp
