package usecase

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"slices"

	"golang.org/x/image/draw"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Files (文件): the stored files (application documents, evidence files,
// rectification evidence) opened by those who may see their station, and
// small previews of the images among them.

// Thumbnails: at most ThumbnailEdge pixels on the long side, made from
// images of at most MaxThumbnailSourcePixels (a larger picture is refused
// before it is decoded, so a small file cannot claim a huge canvas).
const (
	ThumbnailEdge            = 320
	MaxThumbnailSourcePixels = 50_000_000
)

// FileQuery asks for a file's bytes, or with Thumbnail for a preview.
type FileQuery struct{ Thumbnail bool }

// FileAnswer is what a file's reader receives: the file's stored
// description, the bytes to send and their content type, which is the
// stored type when it is one of FileTypes and application/octet-stream
// otherwise. ETag is the quoted digest of what is sent, empty when the
// file has none.
type FileAnswer struct {
	store.FileRef
	Thumbnail   bool
	ContentType string
	Content     []byte
	ETag        string
}

// OpenFile answers a stored file, or its thumbnail, to a caller who may
// see it (seesFile); outside scope it is not found, as an absent file is.
func (c *Cases) OpenFile(ctx context.Context, who Caller, id string, in Input[FileQuery]) (FileAnswer, error) {
	f, err := loadID(ctx, "file", id, c.Store.GetFile, func(ctx context.Context, f store.StoredFile) (bool, error) {
		return c.seesFile(ctx, who, f)
	})
	if err != nil {
		return FileAnswer{}, err
	}
	q, err := in()
	if err != nil {
		return FileAnswer{}, err
	}
	ans := FileAnswer{FileRef: f.FileRef, ContentType: "application/octet-stream", Content: f.Content}
	if slices.Contains(FileTypes, f.ContentType) {
		ans.ContentType = f.ContentType
	}
	if len(f.SHA256) == 64 {
		ans.ETag = `"` + f.SHA256 + `"`
	}
	if !q.Thumbnail {
		return ans, nil
	}
	return thumbnailOf(ans)
}

// seesFile: a file filed for a station is seen by whoever sees that
// station's evidence (its region's offices, its operating organisation, a
// supervisor or evaluator assigned to it) and by a supervisor or evaluator
// holding a task on it; a file of no station by the organisation that
// filed it. An organisation always sees the files it filed itself; admins
// see every file.
func (c *Cases) seesFile(ctx context.Context, who Caller, f store.StoredFile) (bool, error) {
	switch {
	case who.Role == auth.RoleAdmin:
		return true, nil
	case who.Role == auth.RoleOrg && f.OwnerOrg != nil && *f.OwnerOrg == who.ScopeID():
		return true, nil
	case f.StationID == nil:
		return false, nil
	}
	st, err := c.Store.GetStation(ctx, *f.StationID)
	if err != nil {
		return false, err
	}
	switch who.Role {
	case auth.RoleOffice:
		return auth.InRegion(who.Scope, st.RegionCode), nil
	case auth.RoleOrg:
		return operates(who, st), nil
	case auth.RoleSupervisor:
		if ok, err := c.Store.IsAssignedSupervisor(ctx, who.ScopeID(), st.ID); ok || err != nil {
			return ok, err
		}
		return c.Store.HoldsStationTask(ctx, who.Scope, st.ID)
	}
	return false, nil
}

// thumbnailOf scales an image file to at most ThumbnailEdge pixels on its
// long side (never up), in its own format: a PNG stays PNG, a JPEG JPEG.
// Any other file has no thumbnail: 422 naming thumbnail.
func thumbnailOf(f FileAnswer) (FileAnswer, error) {
	encode, ok := thumbnailEncoders[f.ContentType]
	if !ok {
		return FileAnswer{}, invalid("只有图片文件有缩略图 / only an image file has a thumbnail",
			forms.FieldError{Field: "thumbnail", Message: "the file is " + f.ContentType + ", not a JPEG or PNG image"})
	}
	unreadable := invalid("图片无法读取 / the image cannot be read",
		forms.FieldError{Field: "thumbnail", Message: "the file's bytes are not an image of its type that can be scaled"})
	cfg, _, err := image.DecodeConfig(bytes.NewReader(f.Content))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxThumbnailSourcePixels {
		return FileAnswer{}, unreadable
	}
	src, _, err := image.Decode(bytes.NewReader(f.Content))
	if err != nil {
		return FileAnswer{}, unreadable
	}
	w, h := thumbnailSize(cfg.Width, cfg.Height)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := encode(&buf, dst); err != nil {
		return FileAnswer{}, fmt.Errorf("encoding a thumbnail: %w", err)
	}
	f.Thumbnail, f.Content = true, buf.Bytes()
	if f.ETag != "" {
		f.ETag = `"` + f.SHA256 + `-thumbnail"`
	}
	return f, nil
}

var thumbnailEncoders = map[string]func(*bytes.Buffer, image.Image) error{
	"image/png":  func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) },
	"image/jpeg": func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, &jpeg.Options{Quality: 85}) },
}

// thumbnailSize fits w×h within ThumbnailEdge on the long side, keeping
// its proportions; a small image keeps its size.
func thumbnailSize(w, h int) (int, int) {
	long := max(w, h)
	if long <= ThumbnailEdge {
		return w, h
	}
	return max(1, w*ThumbnailEdge/long), max(1, h*ThumbnailEdge/long)
}
