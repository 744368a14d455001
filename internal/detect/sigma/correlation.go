package sigma

import (
	"go.yaml.in/yaml/v3"

	"github.com/vigilsec/vigil/internal/detect"
)

func correlationRefs(d *Document) ([]string, bool, error) { return nil, false, nil }

func compileCorrelation(d *Document, docs []*Document, opts *Options) (*detect.Rule, error) {
	return nil, errAt(d.Correlation, ReasonCorrelation, "not yet")
}

var _ = yaml.Node{}
