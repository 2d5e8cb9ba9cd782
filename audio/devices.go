package audio

/*
#include "fdpa.h"
*/
import "C"

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Device describes one PortAudio device. It is a plain value, safe to copy
// and share.
type Device struct {
	Index             int     // PortAudio's index, valid until the device list changes
	Name              string  // e.g. "pulse", "default", "HDA Intel PCH: ALC3246 Analog (hw:0,0)"
	HostAPI           string  // e.g. "ALSA", "Core Audio", "JACK Audio Connection Kit"
	MaxInputChannels  int     // 0 for an output-only device
	MaxOutputChannels int     // 0 for an input-only device
	DefaultSampleRate float64 // Hz

	DefaultLowInputLatency   time.Duration
	DefaultHighInputLatency  time.Duration
	DefaultLowOutputLatency  time.Duration
	DefaultHighOutputLatency time.Duration

	DefaultInput  bool // the system's default input device
	DefaultOutput bool // the system's default output device
}

// IsInput reports whether the device can capture.
func (d Device) IsInput() bool { return d.MaxInputChannels > 0 }

// IsOutput reports whether the device can play.
func (d Device) IsOutput() bool { return d.MaxOutputChannels > 0 }

// String describes the device on one line, for -list-devices.
func (d Device) String() string {
	var kind []string
	if d.IsInput() {
		k := fmt.Sprintf("in %d ch", d.MaxInputChannels)
		if d.DefaultInput {
			k += " (default)"
		}
		kind = append(kind, k)
	}
	if d.IsOutput() {
		k := fmt.Sprintf("out %d ch", d.MaxOutputChannels)
		if d.DefaultOutput {
			k += " (default)"
		}
		kind = append(kind, k)
	}
	return fmt.Sprintf("%2d  %-40q %s, %s, %g Hz, latency in %v/%v out %v/%v",
		d.Index, d.Name, d.HostAPI, strings.Join(kind, ", "), d.DefaultSampleRate,
		d.DefaultLowInputLatency.Round(time.Millisecond), d.DefaultHighInputLatency.Round(time.Millisecond),
		d.DefaultLowOutputLatency.Round(time.Millisecond), d.DefaultHighOutputLatency.Round(time.Millisecond))
}

// Devices lists every input and output device PortAudio knows, in index
// order. It is safe to call from any goroutine.
func Devices() ([]Device, error) {
	paMu.Lock()
	defer paMu.Unlock()
	if err := acquireLocked(); err != nil {
		return nil, err
	}
	defer releaseLocked()
	return devicesLocked()
}

// devicesLocked lists the devices; paMu must be held, PortAudio initialised.
func devicesLocked() ([]Device, error) {
	n := int(C.Pa_GetDeviceCount())
	if n < 0 {
		return nil, fmt.Errorf("%w: list devices: %w", ErrDevice, paError(C.PaError(n)))
	}
	defIn, defOut := int(C.Pa_GetDefaultInputDevice()), int(C.Pa_GetDefaultOutputDevice())
	sec := func(t C.PaTime) time.Duration { return time.Duration(float64(t) * float64(time.Second)) }
	out := make([]Device, 0, n)
	for i := range n {
		info := C.Pa_GetDeviceInfo(C.PaDeviceIndex(i))
		if info == nil {
			continue
		}
		d := Device{
			Index:                    i,
			Name:                     C.GoString(info.name),
			MaxInputChannels:         int(info.maxInputChannels),
			MaxOutputChannels:        int(info.maxOutputChannels),
			DefaultSampleRate:        float64(info.defaultSampleRate),
			DefaultLowInputLatency:   sec(info.defaultLowInputLatency),
			DefaultHighInputLatency:  sec(info.defaultHighInputLatency),
			DefaultLowOutputLatency:  sec(info.defaultLowOutputLatency),
			DefaultHighOutputLatency: sec(info.defaultHighOutputLatency),
			DefaultInput:             i == defIn,
			DefaultOutput:            i == defOut,
		}
		if api := C.Pa_GetHostApiInfo(info.hostApi); api != nil {
			d.HostAPI = C.GoString(api.name)
		}
		out = append(out, d)
	}
	return out, nil
}

// InputDevices lists the devices that can capture.
func InputDevices() ([]Device, error) { return filterDevices(Device.IsInput) }

// OutputDevices lists the devices that can play.
func OutputDevices() ([]Device, error) { return filterDevices(Device.IsOutput) }

func filterDevices(keep func(Device) bool) ([]Device, error) {
	all, err := Devices()
	if err != nil {
		return nil, err
	}
	var out []Device
	for _, d := range all {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// FindDevice returns the input (input true) or output device that selector
// names: "" for the system default, a decimal index from Devices, or a name:
// an exact (case-insensitive) match, else the only device whose name
// contains selector. It returns an error wrapping ErrNoDevice, listing the
// candidates, when none or several match.
func FindDevice(selector string, input bool) (Device, error) {
	paMu.Lock()
	defer paMu.Unlock()
	if err := acquireLocked(); err != nil {
		return Device{}, err
	}
	defer releaseLocked()
	return findDeviceLocked(selector, input)
}

// findDeviceLocked resolves selector; paMu must be held, PortAudio
// initialised.
func findDeviceLocked(selector string, input bool) (Device, error) {
	kind, usable := "output", Device.IsOutput
	if input {
		kind, usable = "input", Device.IsInput
	}
	all, err := devicesLocked()
	if err != nil {
		return Device{}, err
	}
	sel := strings.TrimSpace(selector)
	if sel == "" || strings.EqualFold(sel, "default") && !hasName(all, sel, usable) {
		for _, d := range all {
			if input && d.DefaultInput || !input && d.DefaultOutput {
				return d, nil
			}
		}
		return Device{}, fmt.Errorf("%w: no default %s device (is an audio server running? for a headless test rig: bash .ci/start-audio.sh)", ErrNoDevice, kind)
	}
	if idx, err := strconv.Atoi(sel); err == nil {
		for _, d := range all {
			if d.Index == idx {
				if !usable(d) {
					return Device{}, fmt.Errorf("%w: device %d (%q) has no %s channels", ErrNoDevice, idx, d.Name, kind)
				}
				return d, nil
			}
		}
		return Device{}, fmt.Errorf("%w: no device with index %d (%s devices: %s)", ErrNoDevice, idx, kind, names(all, usable))
	}
	var matches []Device
	for _, d := range all {
		if !usable(d) {
			continue
		}
		if strings.EqualFold(d.Name, sel) {
			return d, nil
		}
		if strings.Contains(strings.ToLower(d.Name), strings.ToLower(sel)) {
			matches = append(matches, d)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return Device{}, fmt.Errorf("%w: no %s device named %q (%s devices: %s)", ErrNoDevice, kind, sel, kind, names(all, usable))
	default:
		return Device{}, fmt.Errorf("%w: %q matches %d %s devices (%s); give more of the name or an index", ErrNoDevice, sel, len(matches), kind, names(matches, usable))
	}
}

func hasName(all []Device, name string, usable func(Device) bool) bool {
	for _, d := range all {
		if usable(d) && strings.EqualFold(d.Name, name) {
			return true
		}
	}
	return false
}

func names(all []Device, usable func(Device) bool) string {
	var s []string
	for _, d := range all {
		if usable(d) {
			s = append(s, fmt.Sprintf("%d %q", d.Index, d.Name))
		}
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
