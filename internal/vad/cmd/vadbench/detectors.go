package main

import (
	"github.com/fullduplex-go/fullduplex/internal/vad"
	"github.com/fullduplex-go/fullduplex/internal/vad/vadeval"
)

func init() {
	detectors = append(detectors,
		detector{"energy", energy(vad.Config{})},
		detector{"energy+hp80", energy(vad.Config{HighPassHz: 80})},
		detector{"gmm", gmm(vad.GMMConfig{})},
		detector{"gmm-hp80", gmm(vad.GMMConfig{HighPassHz: 80})},
		detector{"gmm-no-hp", gmm(vad.GMMConfig{HighPassHz: -1})},
	)
}

// energy judges frames by the EnergyDetector's per-frame verdict, as
// audio/bargein's EnergyVAD does.
func energy(cfg vad.Config) func(int) (vadeval.FrameFunc, func(), error) {
	return func(rate int) (vadeval.FrameFunc, func(), error) {
		cfg.SampleRate = rate
		d, err := vad.New(cfg)
		if err != nil {
			return nil, nil, err
		}
		return func(f []int16) (bool, error) {
			_, err := d.Process(f)
			return d.Last().Speech, err
		}, func() {}, nil
	}
}

// gmm judges frames by the GMMDetector's per-frame verdict.
func gmm(cfg vad.GMMConfig) func(int) (vadeval.FrameFunc, func(), error) {
	return func(rate int) (vadeval.FrameFunc, func(), error) {
		cfg.SampleRate = rate
		d, err := vad.NewGMM(cfg)
		if err != nil {
			return nil, nil, err
		}
		return func(f []int16) (bool, error) {
			_, err := d.Process(f)
			return d.Last().Speech, err
		}, func() {}, nil
	}
}
