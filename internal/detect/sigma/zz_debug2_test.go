package sigma

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
)

func TestDebugRule(t *testing.T) {
	id := os.Getenv("DS")
	if id == "" {
		t.Skip()
	}
	in := ingestDataset(context.Background(), t, id)
	data, _ := os.ReadFile(os.Getenv("RULE"))
	res := CompileFile(data, nil)[0]
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	fmt.Println(res.Rule.Query)
	as, _, err := res.Compiled.Match(time.Now(), res.Compiled.Table, in.rows[res.Compiled.Table])
	fmt.Println("native:", len(as), err)
	for _, q := range []string{os.Getenv("Q")} {
		if q == "" {
			continue
		}
		r := *res.Rule
		r.Query = q
		c, err := detect.Compile(&r)
		if err != nil {
			t.Fatal(err)
		}
		as, _, err := c.Match(time.Now(), c.Table, in.rows[c.Table])
		fmt.Println("variant:", len(as), err)
	}
}
