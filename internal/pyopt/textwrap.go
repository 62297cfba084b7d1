package pyopt

import (
	"strings"
	"unicode"
)

// wrap is Python's textwrap.wrap(text, width) with its defaults
// (replace_whitespace, drop_whitespace, break_long_words, break_on_hyphens)
// for the plain ASCII help texts the peer tools use.
func wrap(text string, width int) []string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, text)
	chunks := splitChunks(text)
	var lines []string
	// textwrap works on the chunks in reverse order, popping from the end;
	// here the same algorithm walks them forwards.
	for len(chunks) > 0 {
		var cur []string
		curLen := 0
		if len(lines) > 0 && strings.TrimSpace(chunks[0]) == "" {
			chunks = chunks[1:]
		}
		for len(chunks) > 0 {
			l := len(chunks[0])
			if curLen+l <= width {
				cur = append(cur, chunks[0])
				curLen += l
				chunks = chunks[1:]
			} else {
				break
			}
		}
		if len(chunks) > 0 && len(chunks[0]) > width {
			// _handle_long_word: break the word to fill the line.
			spaceLeft := width - curLen
			if width < 1 {
				spaceLeft = 1
			}
			if spaceLeft < 1 && len(cur) == 0 {
				spaceLeft = 1
			}
			if spaceLeft > 0 {
				cur = append(cur, chunks[0][:spaceLeft])
				chunks[0] = chunks[0][spaceLeft:]
				curLen += spaceLeft
			}
		}
		if len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			curLen -= len(cur[len(cur)-1])
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			lines = append(lines, strings.Join(cur, ""))
		}
	}
	return lines
}

// fill is textwrap.fill: the wrapped lines joined by newlines, each with
// indent in front.
func fill(text string, width int, indent string) string {
	lines := wrap(text, width-len(indent))
	for i := range lines {
		lines[i] = indent + lines[i]
	}
	return strings.Join(lines, "\n")
}

// splitChunks splits text into runs of spaces and words, and words after
// hyphens between letters (textwrap's break_on_hyphens).
func splitChunks(text string) []string {
	var out []string
	i := 0
	for i < len(text) {
		j := i
		if text[i] == ' ' {
			for j < len(text) && text[j] == ' ' {
				j++
			}
			out = append(out, text[i:j])
			i = j
			continue
		}
		for j < len(text) && text[j] != ' ' {
			j++
		}
		word := text[i:j]
		start := 0
		for k := 1; k+1 < len(word); k++ {
			if word[k] == '-' && isLetter(word[k-1]) && isLetter(word[k+1]) {
				out = append(out, word[start:k+1])
				start = k + 1
			}
		}
		out = append(out, word[start:])
		i = j
	}
	return out
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
