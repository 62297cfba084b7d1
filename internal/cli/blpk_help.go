package cli

import (
	"strconv"
	"strings"
)

// The help texts of bloscpack 0.16's blpk (argparse with its
// BloscPackCustomFormatter, 80 columns), plus ringvault's additions, each
// marked "(ringvault)". Usage lines are computed by blpkUsage, which wraps
// them as argparse does for the subcommand's name.

const blpkMainUsage = "usage: blpk [-h] [--version] [-v | -d] [-f] [-n [1, 256]]  ...\n"

const blpkMainHelp = `
command line de/compression with blosc

options:
  -h, --help            show this help message and exit
  --version             show program's version number and exit
  -v, --verbose         be verbose about actions
  -d, --debug           print debugging output too

global options:
  -f, --force           disable overwrite checks for existing files
                        (use with caution)
  -n [1, 256], --nthreads [1, 256]
                        set number of threads, (default: NCORES (ncores))

subcommands:
  
    compress            perform compression on file
    c                   alias for 'compress'
    decompress          perform decompression on file
    d                   alias for 'decompress'
    append              append data to a compressed file
    a                   alias for 'append'
    info                print information about a compressed file
    i                   alias for 'info'
    verify              check every digest and decode, write nothing (ringvault)

Additional help for subcommands is available:
  blpk 'subcommand' [ -h | --help ]
`

const blpkBloscGroup = `
blosc settings:
  -t <size>, --typesize <size>
                        typesize for blosc (default: 8)
  -l [0, 9], --clevel [0, 9]
                        compression level (default: 7)
  -s, --no-shuffle      deactivate shuffle
  -c <codec>, --codec <codec>
                        codec to be used by Blosc: 
                        blosclz, lz4, lz4hc, snappy, zlib, zstd
                         (default: blosclz)
`

const blpkCompressHelp = `
positional arguments:
  <in_file>             file to be compressed
  <out_file>            file to compress to

options:
  -h, --help            show this help message and exit
` + blpkBloscGroup + `
bloscpack settings:
  -z <size>, --chunk-size <size>
                        set desired chunk size or 'max' (default: 1M)
  -k <checksum>, --checksum <checksum>
                        set desired checksum:
                        None, adler32, crc32
                        md5, sha1, sha224
                        sha256, sha384, sha512
                         (default: adler32)
  -o, --no-offsets      deactivate offsets
  -m <metadata>, --metadata <metadata>
                        file containing the metadata, must contain valid JSON
  --max-app-chunks <n>  offset slots reserved for appending (default: 10 x nchunks) (ringvault)
  --sync                flush <out_file> to disk before renaming it into place (ringvault)

'-' as <in_file> reads stdin and as <out_file> writes stdout (ringvault)
`

const blpkDecompressHelp = `
positional arguments:
  <in_file>             file to be decompressed
  <out_file>            file to decompress to

options:
  -h, --help            show this help message and exit
  -e, --no-check-extension
                        disable checking input file for extension (*.blp)
                        (requires use of <out_file>)
  --sync                flush <out_file> to disk before renaming it into place (ringvault)

'-' as <in_file> reads stdin and as <out_file> writes stdout (ringvault)
`

const blpkAppendHelp = `
positional arguments:
  <original_file>       file to append to
  <new_file>            file to append from

options:
  -h, --help            show this help message and exit
  -e, --no-check-extension
                        disable checking original file for extension (*.blp)
  -m <metadata>, --metadata <metadata>
                        file containing the metadata, must contain valid JSON
` + blpkBloscGroup

const blpkInfoHelp = `
positional arguments:
  <file>      file to show info for

options:
  -h, --help  show this help message and exit
`

const blpkVerifyHelp = `
Checks the header, the metadata digest, every chunk's digest and Blosc
structure, and the offsets table, and writes nothing (ringvault).

positional arguments:
  <file>      file to verify

options:
  -h, --help  show this help message and exit
`

func blpkHelpText(ncores int) string {
	return blpkMainUsage + strings.Replace(blpkMainHelp, "NCORES", strconv.Itoa(ncores), 1)
}

// blpkUsage is argparse's format_usage for "blpk <sub>".
func blpkUsage(prog string, opts, pos []string) string {
	const prefix = "usage: "
	const textWidth = 78
	all := append([]string{prog}, append(append([]string{}, opts...), pos...)...)
	usage := strings.Join(all, " ")
	if len(prefix)+len(usage) <= textWidth {
		return prefix + usage + "\n"
	}
	indent := strings.Repeat(" ", len(prefix)+len(prog)+1)
	getLines := func(parts []string, first bool) []string {
		var lines, line []string
		lineLen := len(indent) - 1
		if first {
			lineLen = len(prefix) - 1
		}
		for _, p := range parts {
			if lineLen+1+len(p) > textWidth && len(line) > 0 {
				lines = append(lines, indent+strings.Join(line, " "))
				line, lineLen = nil, len(indent)-1
			}
			line = append(line, p)
			lineLen += len(p) + 1
		}
		if len(line) > 0 {
			lines = append(lines, indent+strings.Join(line, " "))
		}
		if first {
			lines[0] = lines[0][len(indent):]
		}
		return lines
	}
	lines := getLines(append([]string{prog}, opts...), true)
	lines = append(lines, getLines(pos, false)...)
	return prefix + strings.Join(lines, "\n") + "\n"
}
