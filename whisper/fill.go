package whisper

import "errors"

// Fill is whisper-fill's fill_archives(src, dst, startFrom): it copies
// points from src into the gaps of dst.
func Fill(src, dst *File, startFrom, now int64) error {
	return errors.New("whisper: Fill is being implemented")
}
