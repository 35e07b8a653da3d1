// Package standin embeds the stand-in dataset: 14 CC0 / public-domain
// grayscale photographs, 512×512 binary PGM (P5, maxval 255), used when
// BOSSbase 1.01 is not available. SOURCES.md (also embedded) gives the
// origin, licence and conversion of every file.
//
// The package only exposes the bytes; pkg/dataset decodes them
// (dataset.StandIn).
package standin

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.pgm SOURCES.md
var files embed.FS

// SourcesFile is the name of the embedded provenance and licence notes.
const SourcesFile = "SOURCES.md"

// Names returns the file names of the embedded photos ("ascent.pgm", ...),
// sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(fmt.Sprintf("standin: reading embedded files: %v", err)) // cannot happen: embedded at build time
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".pgm") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Bytes returns the contents of the embedded file name (a photo from
// Names, or SourcesFile). The slice is the caller's to keep or modify.
func Bytes(name string) ([]byte, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("standin: no embedded file %q", name)
	}
	return data, nil
}

// Sources returns SOURCES.md: origin, licence and conversion of each photo.
func Sources() string {
	data, _ := files.ReadFile(SourcesFile)
	return string(data)
}

// FS returns the embedded files as a read-only file system.
func FS() fs.FS { return files }
