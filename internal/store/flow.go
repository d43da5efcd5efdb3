package store

import "github.com/stationflow/stationflow/internal/flow"

// The few rows that start a workflow, as the workflow's input. Everything
// else crosses Temporal as flow types that the activities map to rows.

// FlowInput is a new station's lifecycle input: it awaits an operator, at
// the version its row was created with.
func (st Station) FlowInput() flow.StationInput {
	return flow.NewStationInput(st.ID, st.Level, st.RegionCode, InitialPhaseVersion)
}

// Flow is the cycle's settings as they are frozen into its workflow.
func (c CycleSettings) Flow() flow.CycleSettings {
	bands := make([]flow.GradeBand, len(c.Bands))
	for i, b := range c.Bands {
		bands[i] = flow.GradeBand(b)
	}
	return flow.CycleSettings{RegionCode: c.RegionCode, Year: c.Year, RubricVersion: c.RubricVersion, Bands: bands,
		SelfAssessmentDue: c.SelfAssessmentDue, EvaluationDue: c.EvaluationDue, EvaluatorsPerStation: c.EvaluatorsPerStation,
		DisagreementThreshold: c.DisagreementThreshold, OnDisagreement: c.OnDisagreement, AppealWorkdays: c.AppealWorkdays,
		MinTermDays: c.MinTermDays}
}
