package graphite

import (
	"errors"
	"net/http"
)

var (
	ErrSyntax          = errors.New("graphite: syntax error")
	ErrUnknownFunction = errors.New("graphite: unknown function")
	ErrBadArgument     = errors.New("graphite: bad argument")
)

func (h *handler) render(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
func (h *handler) find(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
func (h *handler) expand(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
func (h *handler) functions(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
