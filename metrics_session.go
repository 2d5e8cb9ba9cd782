package fullduplex

import "context"

// startMetrics returns the meter of a RunDuplex over receiver, or nil when
// Metrics is nil, and hands it to the send path.
func (s *DuplexSession) startMetrics(receiver Sink) *meter {
	var m *meter
	if s.Metrics != nil {
		m = newMeter(*s.Metrics, receiver)
	}
	s.sendMu.Lock()
	s.meter = m
	s.sendMu.Unlock()
	return m
}

// finishMetrics delivers the last EventMetrics and the EventSummary once
// every goroutine of the run has finished.
func (s *DuplexSession) finishMetrics(ctx context.Context, m *meter) {
	s.sendMu.Lock()
	s.meter = nil
	s.sendMu.Unlock()
	if m != nil {
		m.finish(ctx, &s.out)
	}
}

// sendMetered sends sym, first telling the meter of the input turn it
// ends. s.sendMu must be held and s.meter set.
func (s *DuplexSession) sendMetered(ctx context.Context, sym Symbol) error {
	m := s.meter
	ended := m.sending(sym)
	err := s.stream.Send(ctx, sym)
	if err != nil && ended {
		m.unsent(sym.Timestamp)
	}
	return err
}

// endAudioInput tells the meter that SendEnd or CloseSend ended the audio
// input. s.sendMu must be held.
func (s *DuplexSession) endAudioInput() {
	if s.meter != nil {
		s.meter.endAudio()
	}
}
