package fullduplex

// Prices is a model's price table: what a million tokens cost, per
// direction and modality, in any currency the user likes. The key ""
// prices tokens of a modality the table does not list, and tokens a
// backend reports without per-modality detail. A nil map prices nothing.
// A plain value: read-only once given to a session.
type Prices struct {
	Input map[Modality]float64
	// CachedInput prices input tokens served from a cache; a modality it
	// does not list (nor "") is priced as Input.
	CachedInput map[Modality]float64
	Output      map[Modality]float64
}

// Cost returns what u costs: per modality where u has the detail, else its
// totals at the "" price. Cached input tokens are priced as CachedInput.
func (p Prices) Cost(u Usage) float64 {
	cost := 0.0
	if len(u.InputByModality) > 0 {
		for m, n := range u.InputByModality {
			cached := min(u.CachedByModality[m], n)
			cost += float64(n-cached)*price(p.Input, m) + float64(cached)*p.cached(m)
		}
	} else {
		cached := min(u.CachedTokens, u.InputTokens)
		cost += float64(u.InputTokens-cached)*price(p.Input, "") + float64(cached)*p.cached("")
	}
	if len(u.OutputByModality) > 0 {
		for m, n := range u.OutputByModality {
			cost += float64(n) * price(p.Output, m)
		}
	} else {
		cost += float64(u.OutputTokens) * price(p.Output, "")
	}
	return cost / 1e6
}

func (p Prices) cached(m Modality) float64 {
	if v, ok := p.CachedInput[m]; ok {
		return v
	}
	if v, ok := p.CachedInput[""]; ok {
		return v
	}
	return price(p.Input, m)
}

func price(table map[Modality]float64, m Modality) float64 {
	if v, ok := table[m]; ok {
		return v
	}
	return table[""]
}

// addUsage adds v to u, maps included.
func addUsage(u *Usage, v Usage) {
	u.InputTokens += v.InputTokens
	u.OutputTokens += v.OutputTokens
	u.TotalTokens += v.TotalTokens
	u.CachedTokens += v.CachedTokens
	u.ThoughtsTokens += v.ThoughtsTokens
	u.ToolUseTokens += v.ToolUseTokens
	addCounts(&u.InputByModality, v.InputByModality)
	addCounts(&u.OutputByModality, v.OutputByModality)
	addCounts(&u.CachedByModality, v.CachedByModality)
	addCounts(&u.ToolUseByModality, v.ToolUseByModality)
}

func addCounts(dst *map[Modality]int, src map[Modality]int) {
	if len(src) == 0 {
		return
	}
	if *dst == nil {
		*dst = make(map[Modality]int, len(src))
	}
	for m, n := range src {
		(*dst)[m] += n
	}
}

// cloneUsage returns u with maps of its own.
func cloneUsage(u Usage) Usage {
	c := u
	c.InputByModality, c.OutputByModality, c.CachedByModality, c.ToolUseByModality = nil, nil, nil, nil
	addCounts(&c.InputByModality, u.InputByModality)
	addCounts(&c.OutputByModality, u.OutputByModality)
	addCounts(&c.CachedByModality, u.CachedByModality)
	addCounts(&c.ToolUseByModality, u.ToolUseByModality)
	return c
}
