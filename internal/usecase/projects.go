package usecase

import (
	"context"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Projects (民生项目): the projects a station runs with money from civil
// affairs, other departments, charities, foundations and enterprises, as
// its operating organisation records them. Their amounts by funder are the
// resources the station integrates (资源整合), which the evidence of a
// quarter and of a year shows.

// CreateProject records a project for a station the caller records
// evidence for: its operating organisation (or an admin acting for it).
func (c *Cases) CreateProject(ctx context.Context, who Caller, stationID string, in Input[forms.Project]) (store.Project, error) {
	st, err := c.recordingStation(ctx, who, stationID)
	if err != nil {
		return store.Project{}, err
	}
	p, err := in()
	if err != nil {
		return store.Project{}, err
	}
	if err := invalidIf(forms.CheckProject(p)); err != nil {
		return store.Project{}, err
	}
	return c.Store.CreateProject(ctx, who.Actor(), store.Project{StationID: st.ID, OrganisationID: *st.OperatorID, Name: p.Name,
		ServiceLines: p.ServiceLines, FunderKind: p.FunderKind, FunderName: p.FunderName, AmountFen: *p.AmountFen,
		StartDate: p.StartDate, EndDate: p.EndDate, Beneficiaries: *p.Beneficiaries})
}

// Projects lists the projects of a station whose evidence the caller may
// see: its office, its operating organisation, its assigned supervisors.
func (c *Cases) Projects(ctx context.Context, who Caller, stationID string, in Input[store.Page]) (store.List[store.Project], error) {
	st, err := c.EvidenceStation(ctx, who, stationID)
	if err != nil {
		return store.List[store.Project]{}, err
	}
	page, err := in()
	if err != nil {
		return store.List[store.Project]{}, err
	}
	return c.Store.ListProjects(ctx, st.ID, page)
}

// checkRecordProjects refuses, naming each field, a service record of the
// batch that names a project not of the station.
func (c *Cases) checkRecordProjects(ctx context.Context, stationID uuid.UUID, recs []forms.ServiceRecord) error {
	var named bool
	for _, r := range recs {
		named = named || r.ProjectID != nil
	}
	if !named {
		return nil
	}
	own, err := c.Store.StationProjectIDs(ctx, stationID)
	if err != nil {
		return err
	}
	return invalidIf(forms.CheckRecordProjects(recs, own))
}
