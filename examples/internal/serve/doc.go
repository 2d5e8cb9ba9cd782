// Package serve is the plumbing the examples that serve callers share
// (web-chat, phone): the -addr, -tls-cert and -tls-key flags, a main that
// listens and stops on Ctrl-C or SIGTERM, and a server loop that shuts
// down cleanly, ending the WebSocket conversations that
// http.Server.Shutdown neither ends nor waits for. SelfSigned writes a
// certificate for trying HTTPS on a LAN, and for the tests.
package serve
