// Package pinglog reads and writes PING latency logs (jamesbtate/ping-server)
// — the version 2 prototype, version 3 exactly as the original writes it,
// and ringvault's version 4 — as specified in docs/format/pinglog.md.
//
// Version 2 ("PING", 0x02, struct format "IB"/"IH", then records) is decoded
// whole by DecodeV2 and written by AppendV2.
//
// Version 3 (24-byte little-endian header with offset and
// number_of_records, then a ring of 4+data_length-byte records) is Log3:
// Create3 and Open3 are Datafile.create_new_datafile and open_datafile,
// Append is record_datum, WriteAll is write_all_records, Records is
// read_all_values and ReadRecords is read_records with its exact results.
// Search and Range find records by time with a binary search across the
// ring. Replaying the original's operations through Log3 gives the
// original's bytes. Version 3 has no crash safety: Append writes the record
// and then one header field, and a crash between the two, or a torn
// header, leaves the ring in a state the format cannot detect (see the
// spec). Version 3 stores no capacity: the writer keeps MaxRecords.
//
// Version 4 (Log4) is opt-in (version byte 4) and fixes what version 3
// lacks; its crash and concurrency protocol is described on Log4.
package pinglog
