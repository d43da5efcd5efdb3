package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/regions"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// The register: stations, the organisations that operate them and the
// people who work in them. Organisations and people are plain records with
// no lifecycle; a station's lifecycle is its workflow's.

// NewStation registers a station.
type NewStation struct {
	Name       string     `json:"name" validate:"required,max=200,name"`
	Level      string     `json:"level" validate:"required,stationlevel"`
	RegionCode string     `json:"region_code" validate:"required,regioncode"`
	ParentID   *uuid.UUID `json:"parent_id"`
	// AllowUnknownRegion lets an admin place a station in a region code
	// newer than the embedded data set (internal/regions).
	AllowUnknownRegion bool `json:"allow_unknown_region"`
}

// CreateStation writes the station, then starts its lifecycle workflow. If
// the start fails the station is still created: the worker's reconciler
// starts every station whose workflow was not confirmed.
func (c *Cases) CreateStation(ctx context.Context, who Caller, in Input[NewStation]) (store.Station, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return store.Station{}, err
	}
	req, err := in()
	if err != nil {
		return store.Station{}, err
	}
	if err := codes.CheckStationRegion(codes.StationLevel(req.Level), req.RegionCode); err != nil {
		return store.Station{}, invalid("the region code does not fit the station level",
			forms.FieldError{Field: "region_code", Message: err.Error()})
	}
	if err := inOfficeScope(who, "region_code", req.RegionCode); err != nil {
		return store.Station{}, err
	}
	if err := c.checkStationRegionKnown(ctx, who, req); err != nil {
		return store.Station{}, err
	}
	st, err := c.Store.CreateStation(ctx, who.Actor(), store.Station{Name: req.Name, Level: req.Level,
		RegionCode: req.RegionCode, ParentID: req.ParentID})
	if err != nil {
		return st, err
	}
	if err := c.awaitWorkflow(ctx, func(ctx context.Context) error {
		return workflows.StartStation(ctx, c.Temporal, c.TaskQueue, st.FlowInput())
	}); err != nil {
		c.Logger.Warn("station lifecycle not started yet; the reconciler will start it", "station_id", st.ID, "error", err)
	} else if err := c.Store.MarkWorkflowStarted(ctx, st.ID); err != nil {
		c.Logger.Warn("recording lifecycle start", "station_id", st.ID, "error", err)
	}
	return st, nil
}

// checkStationRegionKnown refuses a station whose region is not in the
// administrative divisions data set (for a village, whose township is not),
// unless an admin allows a code newer than the data set.
func (c *Cases) checkStationRegionKnown(ctx context.Context, who Caller, req NewStation) error {
	if req.AllowUnknownRegion {
		if who.Role != auth.RoleAdmin {
			return forbidden("只有管理员可以使用数据集之外的区划代码 / only an admin may allow a region code outside the data set",
				forms.FieldError{Field: "allow_unknown_region", Message: "admin only"})
		}
		return nil
	}
	known, err := c.Store.IsOfficialRegion(ctx, req.RegionCode)
	if err != nil || known {
		return err
	}
	return invalid("区划代码不在行政区划数据中 / the region code is not in the administrative divisions data",
		forms.FieldError{Field: "region_code", Message: fmt.Sprintf(
			"区划代码 %s 不在行政区划数据（%s）中；管理员可用 allow_unknown_region 允许更新的代码 / region %s is not in the administrative divisions data; an admin may set allow_unknown_region for a newer code",
			req.RegionCode, regions.Source, req.RegionCode)})
}

// NewOrganisation registers an operating organisation.
type NewOrganisation struct {
	Name       string `json:"name" validate:"required,max=200,name"`
	CreditCode string `json:"credit_code" validate:"required,creditcode"`
}

// CreateOrganisation: admins and offices register organisations.
func (c *Cases) CreateOrganisation(ctx context.Context, who Caller, in Input[NewOrganisation]) (store.Organisation, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return store.Organisation{}, err
	}
	req, err := in()
	if err != nil {
		return store.Organisation{}, err
	}
	return c.Store.CreateOrganisation(ctx, who.Actor(), store.Organisation{Name: req.Name, CreditCode: req.CreditCode})
}

// Organisation is an organisation the caller may see.
func (c *Cases) Organisation(ctx context.Context, who Caller, id string) (store.Organisation, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return store.Organisation{}, err
	}
	orgID, err := visibleOrganisation(who, id)
	if err != nil {
		return store.Organisation{}, err
	}
	return c.Store.GetOrganisation(ctx, orgID)
}

// OrganisationStatus is each station the organisation operates or applied
// for, its phase, and what is due there and by when; an office sees the
// stations of its region only.
func (c *Cases) OrganisationStatus(ctx context.Context, who Caller, id string) (store.Organisation, []store.StationStatus, error) {
	org, err := c.Organisation(ctx, who, id)
	if err != nil {
		return org, nil, err
	}
	lines, err := c.Store.OrganisationStatus(ctx, org.ID)
	if err != nil {
		return org, nil, err
	}
	if who.Role == auth.RoleOffice {
		kept := lines[:0]
		for _, l := range lines {
			if auth.InRegion(who.Scope, l.Station.RegionCode) {
				kept = append(kept, l)
			}
		}
		lines = kept
	}
	return org, lines, nil
}

// NewPerson registers a supervisor, an office's staff member or an
// organisation's social worker.
type NewPerson struct {
	Name           string     `json:"name" validate:"required,max=100,name"`
	Role           string     `json:"role" validate:"required,oneof=supervisor office_staff social_worker"`
	RegionCode     string     `json:"region_code" validate:"required,regioncode"`
	OrganisationID *uuid.UUID `json:"organisation_id"`
	Qualification  string     `json:"qualification" validate:"omitempty,oneof=none assistant intermediate senior"`
}

// Check holds the rules that tie the role to the employer.
func (req NewPerson) Check() error {
	switch {
	case req.Role == store.PersonSocialWorker && req.OrganisationID == nil:
		return invalid("a social worker works for an operating organisation",
			forms.FieldError{Field: "organisation_id", Message: "is required for a social_worker"})
	case req.Role == store.PersonOfficeStaff && req.OrganisationID != nil:
		return invalid("office staff work for a civil-affairs office",
			forms.FieldError{Field: "organisation_id", Message: "must be empty for office_staff"})
	}
	return nil
}

// CreatePerson: admins register anyone; an office registers people in its
// region; an organisation registers its own social workers.
func (c *Cases) CreatePerson(ctx context.Context, who Caller, in Input[NewPerson]) (store.Person, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return store.Person{}, err
	}
	req, err := in()
	if err != nil {
		return store.Person{}, err
	}
	if err := req.Check(); err != nil {
		return store.Person{}, err
	}
	if err := inOfficeScope(who, "region_code", req.RegionCode); err != nil {
		return store.Person{}, err
	}
	if err := orgRegistersOwnStaff(who, req); err != nil {
		return store.Person{}, err
	}
	person, err := c.Store.CreatePerson(ctx, who.Actor(), store.Person{Name: req.Name, Role: req.Role,
		RegionCode: req.RegionCode, OrganisationID: req.OrganisationID, Qualification: req.Qualification})
	if errors.Is(err, store.ErrNotFound) {
		return person, invalid("the organisation does not exist", forms.FieldError{Field: "organisation_id", Message: "no such organisation"})
	}
	return person, err
}

// orgRegistersOwnStaff: supervisors are appointed by civil-affairs
// offices, since one an organisation registered would join the pool that
// supervises other organisations' stations.
func orgRegistersOwnStaff(who Caller, req NewPerson) error {
	if who.Role != auth.RoleOrg {
		return nil
	}
	if req.Role != store.PersonSocialWorker {
		return forbidden("an organisation registers its own social workers only",
			forms.FieldError{Field: "role", Message: "an org token may register social_worker only"})
	}
	if req.OrganisationID == nil || *req.OrganisationID != who.ScopeID() {
		return forbidden("an organisation registers its own staff only",
			forms.FieldError{Field: "organisation_id", Message: "must be your own organisation"})
	}
	return nil
}
