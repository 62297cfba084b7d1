// Package whisper reads and writes Graphite Whisper (.wsp) files, byte for
// byte as python3-whisper 1.1.x (Debian's 1.1.4) does.
//
// The on-disk format — header, archives, 12-byte points, ring addressing and
// what a crash leaves — is specified in docs/format/whisper.md.
//
// Three layers, as in archive/zip:
//
//   - bytes: ParseHeader / Header.AppendBinary encode and decode the header;
//   - storage.File: OpenFile and CreateFile work on any storage.File (an OS
//     file, a MemFile, a stream inside a vault, the crash simulator);
//   - paths: Create, Open, Info, SetAggregationMethod, SetXFilesFactor,
//     Resize take a file name, like python's module functions.
//
// Every operation whose result depends on the clock takes now (Unix
// seconds) as a parameter; nothing here reads the wall clock.
//
// A *File parses the header once, when it is opened, and checks every
// archive against the file's size, so truncated files are rejected with a
// CorruptError instead of silently returning zeros as python does. The
// defaults reproduce python exactly (including the set iteration order that
// decides the ring base of coarser archives during UpdateMany); anything that
// differs is opt-in (FetchOptions.Stitch) or documented on the function.
//
// # Errors
//
// Python raises exceptions whose text users see (whisper tools print
// "[ERROR] <str(exc)>"). Every such error here is an *Error whose Error()
// is exactly python's str(exception) and whose Exception field names the
// python class; errors.Is matches the package sentinels:
//
//	python exception          sentinel                      message (Error())
//	TimestampNotCovered       ErrTimestampNotCovered        Timestamp not covered by any archives in this database.
//	InvalidTimeInterval       ErrInvalidTimeInterval        Invalid time interval: from time '%d' is after until time '%d'
//	InvalidConfiguration      ErrInvalidConfiguration       validateArchiveList's texts; File %s already exists!
//	InvalidAggregationMethod  ErrInvalidAggregationMethod   Unrecognized aggregation method: %s
//	InvalidXFilesFactor       ErrInvalidXFilesFactor        Invalid xFilesFactor %s, not between 0 and 1
//	ValueError                ErrInvalidGranularity         Invalid granularity: %d
//	ValueError                ErrInvalidRetention           Invalid retention definition '%s', Invalid unit 'x', ...
//	ValueError                ErrInvalidTimeInterval        time_to must be >= time_from (Merge)
//	NotImplementedError       ErrUnlikeArchives             %s and %s archive configurations are unalike. Resize the input before merging
//	CorruptWhisperFile        ErrCorrupt (*CorruptError)    Unable to read header (path)  /  Unable to read archive%d metadata (path)
//
// A CorruptError carries the path, offset and field; its Python method gives
// python's exact str(), and Error() adds what was expected.
package whisper
