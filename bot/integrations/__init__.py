"""Outside systems, each behind a small interface: calendar files now; Zoom, WordPress, mail and ffmpeg later."""
