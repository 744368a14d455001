package detect

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ReadIndicatorsCSV reads indicators in the CSV shape of Defender's
// indicator import: a header row naming IndicatorType, IndicatorValue and
// optionally ExpirationTime, Action, Severity, Title, Description,
// GenerateAlert and MitreTechniques (in any order). Rows with problems
// are reported by line and skipped.
func ReadIndicatorsCSV(r io.Reader) ([]Indicator, []error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, []error{fmt.Errorf("line 1: %v", err)}
	}
	idx := map[string]int{}
	for i, h := range head {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"indicatortype", "indicatorvalue"} {
		if _, ok := idx[need]; !ok {
			return nil, []error{fmt.Errorf("line 1: the header lacks %s", need)}
		}
	}
	var out []Indicator
	var errs []error
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %v", line, err))
			continue
		}
		get := func(name string) string {
			if i, ok := idx[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		ind := Indicator{Type: IndicatorType(get("indicatortype")), Value: get("indicatorvalue"), Action: IndicatorAction(get("action")),
			Severity: Severity(get("severity")), Title: get("title"), Description: get("description"), GenerateAlert: true, Source: "csv"}
		if v := get("generatealert"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("line %d: GenerateAlert %q is not true or false", line, v))
				continue
			}
			ind.GenerateAlert = b
		}
		if v := get("expirationtime"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				errs = append(errs, fmt.Errorf("line %d: ExpirationTime %q is not an RFC 3339 time", line, v))
				continue
			}
			ind.Expiration = t
		}
		if v := get("mitretechniques"); v != "" {
			for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
				ind.Techniques = append(ind.Techniques, t)
			}
		}
		if _, err := normalizeIndicator(ind.Type, ind.Value); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		out = append(out, ind)
	}
	return out, errs
}

// stixComparison is one comparison of a STIX 2.1 pattern that names an
// observable Vigil can match.
var stixComparison = regexp.MustCompile(`(file:hashes\.(?:'([A-Za-z0-9-]+)'|([A-Za-z0-9-]+))|ipv4-addr:value|ipv6-addr:value|domain-name:value|url:value)\s*=\s*'((?:[^'\\]|\\.)*)'`)

// ReadIndicatorsSTIX reads the indicator objects of a STIX 2.1 bundle:
// each comparison of a pattern on a file hash, an address, a domain or a
// URL becomes an indicator (name → title, valid_until → expiration).
// Patterns with nothing Vigil can match are reported.
func ReadIndicatorsSTIX(r io.Reader) ([]Indicator, []error) {
	var bundle struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 256<<20)).Decode(&bundle); err != nil {
		return nil, []error{fmt.Errorf("not a STIX bundle: %v", err)}
	}
	if bundle.Type != "bundle" {
		return nil, []error{fmt.Errorf("not a STIX bundle: type is %q", bundle.Type)}
	}
	var out []Indicator
	var errs []error
	for i, raw := range bundle.Objects {
		var o struct {
			Type        string `json:"type"`
			ID          string `json:"id"`
			Name        string `json:"name"`
			Description string `json:"description"`
			Pattern     string `json:"pattern"`
			PatternType string `json:"pattern_type"`
			ValidUntil  string `json:"valid_until"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			errs = append(errs, fmt.Errorf("object %d: %v", i, err))
			continue
		}
		if o.Type != "indicator" {
			continue
		}
		if o.PatternType != "" && o.PatternType != "stix" {
			errs = append(errs, fmt.Errorf("%s: pattern type %q is not stix", o.ID, o.PatternType))
			continue
		}
		var until time.Time
		if o.ValidUntil != "" {
			t, err := time.Parse(time.RFC3339Nano, o.ValidUntil)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: valid_until %q: %v", o.ID, o.ValidUntil, err))
				continue
			}
			until = t
		}
		found := 0
		for _, m := range stixComparison.FindAllStringSubmatch(o.Pattern, -1) {
			var t IndicatorType
			switch {
			case strings.HasPrefix(m[1], "file:hashes"):
				algo := strings.ToUpper(m[2] + m[3])
				switch algo {
				case "SHA-256", "SHA256":
					t = FileSha256
				case "SHA-1", "SHA1":
					t = FileSha1
				case "MD5":
					t = FileMd5
				default:
					continue
				}
			case m[1] == "ipv4-addr:value" || m[1] == "ipv6-addr:value":
				t = IPAddress
			case m[1] == "domain-name:value":
				t = DomainName
			case m[1] == "url:value":
				t = URL
			}
			v := strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[4])
			if _, err := normalizeIndicator(t, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", o.ID, err))
				continue
			}
			out = append(out, Indicator{Type: t, Value: v, Action: Audit, Title: o.Name, Description: o.Description,
				Severity: Medium, GenerateAlert: true, Expiration: until, Source: o.ID})
			found++
		}
		if found == 0 {
			errs = append(errs, fmt.Errorf("%s: the pattern names no file hash, address, domain or URL Vigil matches", o.ID))
		}
	}
	return out, errs
}

// LoadIndicatorDir reads every .csv (Defender's CSV) and .json (STIX 2.1
// bundle) file of a directory; a missing directory holds none.
func LoadIndicatorDir(dir string) ([]Indicator, []error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []error{err}
	}
	var out []Indicator
	var errs []error
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if e.IsDir() || ext != ".csv" && ext != ".json" {
			continue
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var got []Indicator
		var bad []error
		if ext == ".csv" {
			got, bad = ReadIndicatorsCSV(f)
		} else {
			got, bad = ReadIndicatorsSTIX(f)
		}
		f.Close()
		for _, b := range bad {
			errs = append(errs, fmt.Errorf("%s: %w", name, b))
		}
		out = append(out, got...)
	}
	return out, errs
}
