package graphite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxFormBytes bounds a POSTed form (graphite-web cluster peers send many
// targets in one body).
const maxFormBytes = 32 << 20

// handler serves graphite-web's read API over a Backend.
type handler struct {
	b    Backend
	opts Options
	mux  *http.ServeMux
}

// NewHandler returns graphite-web's read API over b: /render, /metrics/find,
// /metrics/expand, /metrics/index.json, /version, /functions and the
// browser page at /. Every API path is answered with and without a
// trailing slash, GET or POST, because graphite-web's cluster client asks
// for /render/ and /metrics/find/ and Grafana POSTs forms.
func NewHandler(b Backend, opts *Options) http.Handler {
	h := &handler{b: b, opts: opts.withDefaults(), mux: http.NewServeMux()}
	for path, f := range map[string]http.HandlerFunc{
		"/render":             h.render,
		"/metrics/find":       h.find,
		"/metrics":            h.find,
		"/metrics/expand":     h.expand,
		"/metrics/index.json": h.index,
		"/version":            h.version,
		"/functions":          h.functions,
		// No tag database: answer the tag and event look-ups Grafana and
		// graphite-web's RemoteFinder make with empty lists, not 404s.
		"/tags/autoComplete/tags":   emptyList,
		"/tags/autoComplete/values": emptyList,
		"/events/get_data":          emptyList,
	} {
		h.mux.HandleFunc(path, f)
		if !strings.HasSuffix(path, ".json") {
			h.mux.HandleFunc(path+"/", f)
		}
	}
	h.mux.HandleFunc("/functions/{name}", h.functions)
	h.mux.HandleFunc("/", h.page)
	return h.mux
}

// params merges the query string and a POSTed body (urlencoded, multipart
// or a bare "query=..." without a Content-Type, as Grafana sends), with
// the body's values first as Django's QueryDict.update does not: both are
// kept and the first value wins.
func params(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("graphite: bad query string: %w", err)
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		return q, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxFormBytes); err != nil {
			return nil, fmt.Errorf("graphite: bad multipart form: %w", err)
		}
		for k, vs := range r.MultipartForm.Value {
			q[k] = append(q[k], vs...)
		}
		return q, nil
	case "", "application/x-www-form-urlencoded", "text/plain":
		body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
		if err != nil {
			return nil, fmt.Errorf("graphite: reading request body: %w", err)
		}
		if len(body) > maxFormBytes {
			return nil, fmt.Errorf("graphite: request body over %d bytes", maxFormBytes)
		}
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("graphite: bad form body: %w", err)
		}
		for k, vs := range f {
			q[k] = append(q[k], vs...)
		}
	case "application/json":
		// graphite-web 1.1 accepts a JSON body on /render.
		var m map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, maxFormBytes)).Decode(&m); err != nil {
			return nil, fmt.Errorf("graphite: bad JSON body: %w", err)
		}
		for k, v := range m {
			switch v := v.(type) {
			case []any:
				for _, x := range v {
					q.Add(k, fmt.Sprint(x))
				}
			default:
				q.Add(k, fmt.Sprint(v))
			}
		}
	}
	return q, nil
}

// httpError is an error with the status it is answered with.
type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Errorf(format, a...)}
}

// fail answers err as text/plain: 400 for a request error, 500 otherwise.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var he *httpError
	if errors.As(err, &he) {
		status = he.status
	} else if errors.Is(err, ErrBadGlob) || errors.Is(err, ErrSyntax) || errors.Is(err, ErrBadTime) || errors.Is(err, ErrUnknownFunction) || errors.Is(err, ErrBadArgument) {
		status = http.StatusBadRequest
	}
	if status >= 500 {
		h.opts.Logger.Error("graphite request failed", "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	io.WriteString(w, err.Error()+"\n")
}

// writeJSON answers v as JSON, wrapped in jsonp(...) when asked.
func writeJSON(w http.ResponseWriter, q url.Values, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, q, body)
}

func writeJSONBytes(w http.ResponseWriter, q url.Values, body []byte) {
	if cb := q.Get("jsonp"); cb != "" {
		if !validCallback(cb) {
			http.Error(w, "graphite: jsonp must be a JavaScript identifier path", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, cb+"(")
		w.Write(body)
		io.WriteString(w, ")")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// now returns the request's "now" (the now parameter, else the clock).
func (h *handler) now(q url.Values, loc *time.Location) (time.Time, error) {
	now := h.opts.Now().In(loc)
	if s := q.Get("now"); s != "" {
		t, err := ParseATTime(s, now, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("now: %w", err)
		}
		return t, nil
	}
	return now, nil
}

// location returns the tz parameter's zone, else the default.
func (h *handler) location(q url.Values) (*time.Location, error) {
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, badRequest("graphite: unknown tz %q", tz)
		}
		return loc, nil
	}
	return h.opts.Location, nil
}

func emptyList(w http.ResponseWriter, r *http.Request) {
	q, _ := params(r)
	writeJSONBytes(w, q, []byte("[]"))
}

func (h *handler) version(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, h.opts.Version)
}

// validCallback reports whether a jsonp callback is a plain identifier
// path (a.b_c$1), so the reply cannot carry script of the caller's choice.
func validCallback(cb string) bool {
	if len(cb) > 128 {
		return false
	}
	for i := 0; i < len(cb); i++ {
		c := cb[i]
		if !(c == '_' || c == '$' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
