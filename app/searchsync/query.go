package searchsync

import (
	"context"

	"github.com/snapshop/snapshop/search"
)

// Search runs a query on the live index (search.ErrNotReady while the first
// index is being built).
func (s *Service) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix == nil {
		return nil, search.ErrNotReady
	}
	return s.ix.Search(ctx, r)
}

// Suggest completes a prefix into popular keywords.
func (s *Service) Suggest(ctx context.Context, prefix string, limit int) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix == nil {
		return nil, search.ErrNotReady
	}
	return s.ix.Suggest(ctx, prefix, limit)
}

// Related returns images like one image.
func (s *Service) Related(ctx context.Context, r search.RelatedRequest) ([]uint32, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix == nil {
		return nil, search.ErrNotReady
	}
	return s.ix.Related(ctx, r)
}

// Highlight marks the words of text a search matched.
func (s *Service) Highlight(text string, terms []string) []search.Fragment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix == nil {
		return []search.Fragment{{Text: text}}
	}
	return s.ix.Highlight(text, terms)
}

// Status is what /readyz reports about search.
type Status struct {
	State      State `json:"state"`
	Documents  int   `json:"documents"`
	Cursor     int64 `json:"cursor"`
	Lag        int64 `json:"lag"` // changes written but not yet indexed
	Rebuilding bool  `json:"rebuilding"`
}

// Status reports the index's state and how far behind the database it is.
func (s *Service) Status() Status {
	st := Status{State: s.state.Load().(State), Lag: s.lag.Load(), Rebuilding: s.rebuilding.Load()}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix != nil {
		st.Documents, st.Cursor = s.ix.Count(), s.ix.Cursor()
	}
	return st
}

// RequestRebuild asks every server process to rebuild its index beside the
// live one and swap it in.
func (s *Service) RequestRebuild(ctx context.Context) (int64, error) {
	return s.db.RequestSearchRebuild(ctx)
}
