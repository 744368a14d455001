package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/state"
)

// Indicators of compromise:
//
//	GET    /api/v1/indicators          every indicator
//	POST   /api/v1/indicators          create one (409 if its type and value exist)
//	GET    /api/v1/indicators/{id}     one
//	PUT    /api/v1/indicators/{id}     replace it
//	DELETE /api/v1/indicators/{id}     delete it
//	POST   /api/v1/indicators/import   Defender's CSV (text/csv) or a STIX 2.1 bundle (application/json)
//
// and Defender's own API, for tools written for it:
//
//	GET    /api/indicators             {"value": [...]}
//	POST   /api/indicators             submit or update (by type and value)
//	POST   /api/indicators/import      {"Indicators": [...]}
//	DELETE /api/indicators/{id}
//
// A change applies to the ingest stream at once. Files in DATA/indicators
// are read at start beside these and are not changed by the API.

// LoadIndicators puts the stored indicators and those of files in force
// in the alert pipeline; a stored one that no longer validates is
// reported and left out.
func LoadIndicators(ctx context.Context, st state.Store, p *detect.Pipeline, files []detect.Indicator, report func(id string, err error)) error {
	list, err := st.ListIndicators(ctx)
	if err != nil {
		return err
	}
	all := append([]detect.Indicator(nil), files...)
	for _, si := range list {
		var ind detect.Indicator
		if err := json.Unmarshal(si.Definition, &ind); err != nil {
			report(si.ID, err)
			continue
		}
		ind.ID = si.ID
		all = append(all, ind)
	}
	if len(all) == 0 {
		p.SetIndicators(nil)
		return nil
	}
	set, bad := detect.NewIndicators(all)
	for _, e := range bad {
		report("", e)
	}
	p.SetIndicators(set)
	return nil
}

func (s *Server) reloadIndicators(ctx context.Context) {
	if s.opts.Alerts == nil {
		return
	}
	if err := LoadIndicators(ctx, s.state, s.opts.Alerts, s.opts.FileIndicators, func(id string, err error) {
		s.log.WarnContext(ctx, "indicator skipped", "indicator", id, "err", err)
	}); err != nil {
		s.log.ErrorContext(ctx, "reloading indicators failed; the previous ones stay in force", "err", err)
	}
}

// indicatorView is an indicator with its bookkeeping, in the shape of
// Defender's indicator resource.
type indicatorView struct {
	detect.Indicator
	CreatedBy      string    `json:"createdBy"`
	CreationTime   time.Time `json:"creationTimeDateTimeUtc"`
	LastUpdatedBy  string    `json:"lastUpdatedBy"`
	LastUpdateTime time.Time `json:"lastUpdateTime"`
}

func viewIndicator(si *state.Indicator) (indicatorView, error) {
	var v indicatorView
	if err := json.Unmarshal(si.Definition, &v.Indicator); err != nil {
		return v, err
	}
	v.ID, v.CreatedBy, v.CreationTime, v.LastUpdatedBy, v.LastUpdateTime = si.ID, si.CreatedBy, si.CreatedAt.UTC(), si.UpdatedBy, si.UpdatedAt.UTC()
	return v, nil
}

// defenderAction maps Defender's combined actions onto an action and
// generateAlert: Alert is Audit with an alert, AlertAndBlock is Block
// with one.
func defenderAction(ind *detect.Indicator) {
	switch ind.Action {
	case "Alert":
		ind.Action, ind.GenerateAlert = detect.Audit, true
	case "AlertAndBlock":
		ind.Action, ind.GenerateAlert = detect.Block, true
	}
}

// checkIndicator validates and normalizes an indicator from a request.
func checkIndicator(ind *detect.Indicator) error {
	defenderAction(ind)
	ind.ID = ""
	if err := ind.Normalize(); err != nil {
		return errInvalid(err.Error())
	}
	if ind.Action == detect.Audit && !ind.GenerateAlert {
		return errInvalid("an Audit indicator needs generateAlert: true (it does nothing else)")
	}
	return nil
}

func storedIndicator(ind *detect.Indicator, actor string) (state.Indicator, error) {
	def, err := json.Marshal(ind)
	return state.Indicator{ID: ind.ID, Type: string(ind.Type), Value: ind.Value, Definition: def, CreatedBy: actor, UpdatedBy: actor}, err
}

// putIndicators stores indicators in one audited change and puts them in
// force.
func (s *Server) putIndicators(r *http.Request, list []detect.Indicator, action, target string) error {
	p := principal(r.Context())
	stored := make([]state.Indicator, 0, len(list))
	for i := range list {
		si, err := storedIndicator(&list[i], p.Actor())
		if err != nil {
			return err
		}
		stored = append(stored, si)
	}
	a := audit(r, p, action, target)
	if len(list) == 1 {
		a.Details = stored[0].Definition
	} else {
		a.Details = jsonRaw(map[string]int{"indicators": len(list)})
	}
	if err := s.state.PutIndicators(r.Context(), stored, a); err != nil {
		return err
	}
	s.reloadIndicators(r.Context())
	return nil
}

func (s *Server) listIndicators(w http.ResponseWriter, r *http.Request) {
	out, err := s.indicatorViews(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"indicators": out})
}

func (s *Server) indicatorViews(ctx context.Context) ([]indicatorView, error) {
	list, err := s.state.ListIndicators(ctx)
	if err != nil {
		return nil, err
	}
	out := []indicatorView{}
	for i := range list {
		v, err := viewIndicator(&list[i])
		if err != nil {
			s.log.WarnContext(ctx, "stored indicator is not readable", "indicator", list[i].ID, "err", err)
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) getIndicator(w http.ResponseWriter, r *http.Request) {
	si, err := s.state.IndicatorByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, state.ErrNotFound) {
		err = &Error{http.StatusNotFound, CodeNotFound, "no indicator with this id"}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := viewIndicator(si)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// writeIndicator answers with the stored form of the indicator id.
func (s *Server) writeIndicator(w http.ResponseWriter, r *http.Request, status int, id string) {
	si, err := s.state.IndicatorByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := viewIndicator(si)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) createIndicator(w http.ResponseWriter, r *http.Request) {
	var ind detect.Indicator
	if err := decodeJSON(w, r, &ind); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkIndicator(&ind); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.state.IndicatorByID(r.Context(), ind.ID); err == nil {
		s.writeError(w, r, &Error{http.StatusConflict, CodeConflict, "an indicator of this type and value exists: " + ind.ID})
		return
	} else if !errors.Is(err, state.ErrNotFound) {
		s.writeError(w, r, err)
		return
	}
	if err := s.putIndicators(r, []detect.Indicator{ind}, "indicator.create", "indicator:"+ind.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIndicator(w, r, http.StatusCreated, ind.ID)
}

func (s *Server) updateIndicator(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var ind detect.Indicator
	if err := decodeJSON(w, r, &ind); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkIndicator(&ind); err != nil {
		s.writeError(w, r, err)
		return
	}
	if ind.ID != id {
		s.writeError(w, r, errInvalid("the type and value name indicator "+ind.ID+", not "+id+": delete this one and create that one"))
		return
	}
	if _, err := s.state.IndicatorByID(r.Context(), id); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			err = &Error{http.StatusNotFound, CodeNotFound, "no indicator with this id"}
		}
		s.writeError(w, r, err)
		return
	}
	if err := s.putIndicators(r, []detect.Indicator{ind}, "indicator.update", "indicator:"+id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIndicator(w, r, http.StatusOK, id)
}

func (s *Server) deleteIndicator(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p := principal(r.Context())
	if err := s.state.DeleteIndicator(r.Context(), id, audit(r, p, "indicator.delete", "indicator:"+id)); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			err = &Error{http.StatusNotFound, CodeNotFound, "no indicator with this id"}
		}
		s.writeError(w, r, err)
		return
	}
	s.reloadIndicators(r.Context())
	w.WriteHeader(http.StatusNoContent)
}

// maxImport bounds one import, as Defender bounds its own.
const (
	maxImport      = 10_000
	maxImportBytes = 16 << 20
)

// importIndicators reads Defender's CSV or a STIX 2.1 bundle; the valid
// indicators are stored in one change, the invalid ones listed by line
// or object.
func (s *Server) importIndicators(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	var list []detect.Indicator
	var bad []error
	switch ct {
	case "text/csv":
		list, bad = detect.ReadIndicatorsCSV(r.Body)
	case "application/json", "application/stix+json":
		list, bad = detect.ReadIndicatorsSTIX(r.Body)
	default:
		s.writeError(w, r, &Error{http.StatusUnsupportedMediaType, CodeInvalid, "Content-Type must be text/csv (Defender's CSV) or application/json (a STIX 2.1 bundle)"})
		return
	}
	var mbe *http.MaxBytesError
	for _, e := range bad {
		if errors.As(e, &mbe) || strings.Contains(e.Error(), "http: request body too large") {
			s.writeError(w, r, &Error{http.StatusRequestEntityTooLarge, CodeTooLarge, "an import holds at most 16 MiB"})
			return
		}
	}
	s.storeImport(w, r, list, bad, "indicator.import")
}

func (s *Server) storeImport(w http.ResponseWriter, r *http.Request, list []detect.Indicator, bad []error, action string) {
	if len(list) > maxImport {
		s.writeError(w, r, errInvalid(fmt.Sprintf("an import holds at most %d indicators, this one %d", maxImport, len(list))))
		return
	}
	errs := []string{}
	for _, e := range bad {
		errs = append(errs, e.Error())
	}
	byID := map[string]int{}
	var keep []detect.Indicator
	for i := range list {
		ind := list[i]
		if err := checkIndicator(&ind); err != nil {
			errs = append(errs, fmt.Sprintf("indicator %d (%s): %s", i+1, list[i].Value, err.(*Error).Message))
			continue
		}
		if j, dup := byID[ind.ID]; dup {
			keep[j] = ind // the last of duplicates wins, as a later line would on its own
			continue
		}
		byID[ind.ID] = len(keep)
		keep = append(keep, ind)
	}
	if len(keep) > 0 {
		if err := s.putIndicators(r, keep, action, fmt.Sprintf("indicators:%d", len(keep))); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	ids := make([]string, len(keep))
	for i, ind := range keep {
		ids[i] = ind.ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"imported": len(keep), "ids": ids, "errors": errs})
}

// defenderIndicator is the body of Defender's submit call: the fields
// Vigil keeps (rbacGroupNames scopes it to device groups), and those it
// accepts and ignores (application, educateUrl), so tools written for
// Defender work unchanged.
type defenderIndicator struct {
	detect.Indicator
	Application string `json:"application"`
	EducateURL  string `json:"educateUrl"`
}

// defenderSubmit is Defender's POST /api/indicators: submit or update by
// type and value.
func (s *Server) defenderSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	var in defenderIndicator
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.writeError(w, r, errInvalid("invalid JSON body: "+err.Error()))
		return
	}
	ind := in.Indicator
	if err := checkIndicator(&ind); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.putIndicators(r, []detect.Indicator{ind}, "indicator.submit", "indicator:"+ind.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIndicator(w, r, http.StatusOK, ind.ID)
}

// defenderList is Defender's GET /api/indicators, an OData collection.
func (s *Server) defenderList(w http.ResponseWriter, r *http.Request) {
	out, err := s.indicatorViews(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://api.security.microsoft.com/api/$metadata#Indicators", "value": out})
}

// defenderImport is Defender's POST /api/indicators/import.
func (s *Server) defenderImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	var body struct {
		Indicators []defenderIndicator `json:"Indicators"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		s.writeError(w, r, errInvalid("invalid JSON body: "+err.Error()))
		return
	}
	list := make([]detect.Indicator, len(body.Indicators))
	for i, in := range body.Indicators {
		list[i] = in.Indicator
	}
	s.storeImport(w, r, list, nil, "indicator.import")
}
