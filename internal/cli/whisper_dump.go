package cli

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"

	"ringvault/internal/pyfmt"
	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "dump", Peer: "whisper-dump", Summary: "print the header and every slot as stored", Run: whisperDump})
}

// dumpArchive is an archive as whisper-dump reads it: straight from the
// header, without validation.
type dumpArchive struct{ offset, spp, points uint32 }

func whisperDump(c *wctx, args []string) int {
	p := c.parser("%prog path", "", []*pyopt.Option{
		{Long: "--pretty", Action: pyopt.StoreTrue, Default: false, Help: "Show human-readable timestamps instead of unix times"},
		{Short: "-t", Long: "--time-format", Dest: "time_format", Help: "Time format to use with --pretty; see time.strftime()"},
	}, []*pyopt.Option{
		{Short: "-r", Long: "--raw", Action: pyopt.StoreTrue, Default: false, Help: "Dump value only in the same format for whisper-update (UTC timestamps)"},
	})
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) != 1 {
		return c.exit(p.Error("require one input file name"))
	}
	path := args[0]
	if _, err := os.Stat(path); err != nil {
		return c.fail(fmt.Sprintf("[ERROR] File \"%s\" does not exist!", path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c.failErr(err)
	}
	raw := vals.Bool("raw")
	pretty := vals.Bool("pretty")
	tf, _ := vals.String("time_format")
	out := bufio.NewWriterSize(c.env.Stdout, 256*1024)
	defer out.Flush()
	if len(data) < 16 {
		return c.fail(fmt.Sprintf("[ERROR] Unable to unpack header (%s)", path))
	}
	aggType := binary.BigEndian.Uint32(data[0:])
	maxRet := binary.BigEndian.Uint32(data[4:])
	xff := math.Float32frombits(binary.BigEndian.Uint32(data[8:]))
	count := binary.BigEndian.Uint32(data[12:])
	archives := make([]dumpArchive, 0, min(count, 1024))
	for i := uint32(0); i < count; i++ {
		off := 16 + int64(i)*12
		if off+12 > int64(len(data)) {
			out.Flush()
			return c.fail(fmt.Sprintf("[ERROR] Unable to read archive %d metadata (%s)", i, path))
		}
		archives = append(archives, dumpArchive{
			binary.BigEndian.Uint32(data[off:]), binary.BigEndian.Uint32(data[off+4:]), binary.BigEndian.Uint32(data[off+8:])})
	}
	if !raw {
		method := "average"
		if m := whisper.AggregationMethod(aggType); aggType >= 1 && aggType <= 8 {
			method = m.String()
		}
		fmt.Fprintf(out, "Meta data:\n  aggregation method: %s\n  max retention: %d\n  xFilesFactor: %s\n\n",
			method, maxRet, pyfmt.FormatG(float64(xff), 0, 6))
		for i, a := range archives {
			fmt.Fprintf(out, "Archive %d info:\n  offset: %d\n  seconds per point: %d\n  points: %d\n  retention: %d\n  size: %d\n\n",
				i, a.offset, a.spp, a.points, uint64(a.spp)*uint64(a.points), uint64(a.points)*12)
		}
	}
	var line []byte
	for i, a := range archives {
		if !raw {
			fmt.Fprintf(out, "Archive %d data:\n", i)
		}
		off := int64(a.offset)
		for pt := uint32(0); pt < a.points; pt++ {
			if off+12 > int64(len(data)) {
				out.Flush()
				return c.fail(fmt.Sprintf("[ERROR] archive %d point %d at offset %d lies beyond the end of %s (%d bytes)", i, pt, off, path, len(data)))
			}
			ts := binary.BigEndian.Uint32(data[off:])
			v := math.Float64frombits(binary.BigEndian.Uint64(data[off+4:]))
			line = line[:0]
			if raw {
				line = strconv.AppendUint(line, uint64(ts), 10)
				line = append(line, ':')
				line = append(line, pyfmt.FormatG(v, 0, 35)...)
			} else {
				line = strconv.AppendUint(line, uint64(pt), 10)
				line = append(line, ": "...)
				switch {
				case pretty && tf != "":
					line = append(line, strftime(tf, int64(ts))...)
				case pretty:
					line = append(line, ctime(int64(ts))...)
				default:
					line = strconv.AppendUint(line, uint64(ts), 10)
				}
				line = append(line, ", "...)
				line = append(line, pyfmt.FormatG(v, 10, 35)...)
			}
			line = append(line, '\n')
			out.Write(line)
			off += 12
		}
	}
	return 0
}
