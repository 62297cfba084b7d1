package graphite

import (
	"embed"
	"io/fs"
	"net/http"
)

// webFS holds the browser page: plain HTML, CSS and JavaScript with no
// external references, so it works offline.
//
//go:embed web
var webFS embed.FS

var webRoot, _ = fs.Sub(webFS, "web")

// page serves the browser page at / and its assets; other paths are 404.
func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/", "/index.html":
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
		http.ServeFileFS(w, r, webRoot, "index.html")
	case "/static/app.js", "/static/app.css":
		http.ServeFileFS(w, r, webRoot, r.URL.Path[len("/static/"):])
	default:
		http.NotFound(w, r)
	}
}
