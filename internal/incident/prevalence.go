package incident

import "slices"

// devSet is the devices one entity key was seen on (for prevalence).
// Most keys (a file hash, an external IP) are seen on one or two devices:
// those keep a short list, and only a key seen on many gets a map, which
// keeps the engine's heap (and the collector's work) small.
type devSet struct {
	few  []string
	many map[string]struct{}
}

// maxFewDevices is how many devices a devSet lists before it switches to
// a map.
const maxFewDevices = 8

func (s *devSet) len() int {
	if s == nil {
		return 0
	}
	if s.many != nil {
		return len(s.many)
	}
	return len(s.few)
}

// add records a device, up to limit devices in all.
func (s *devSet) add(dev string, limit int) {
	switch {
	case s.many != nil:
		if len(s.many) < limit {
			s.many[dev] = struct{}{}
		}
	case slices.Contains(s.few, dev) || len(s.few) >= limit:
	case len(s.few) < maxFewDevices:
		s.few = append(s.few, dev)
	default:
		s.many = make(map[string]struct{}, 2*maxFewDevices)
		for _, d := range s.few {
			s.many[d] = struct{}{}
		}
		s.many[dev] = struct{}{}
		s.few = nil
	}
}
