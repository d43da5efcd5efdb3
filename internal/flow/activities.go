package flow

// Activity names. Workflows schedule activities by these names, so the
// workflows package never imports the activities (nor, through them, the
// store); the worker registers the activities' methods under the same
// names, and a test in activities checks every name has its method.
const (
	// Human tasks: their policy, working days, read model and notifications.
	TaskPolicyActivity      = "TaskPolicy"
	AddWorkdaysActivity     = "AddWorkdays"
	WorkdaysBetweenActivity = "WorkdaysBetween"
	ProjectTaskActivity     = "ProjectTask"
	NotifyActivity          = "Notify"
	// Station lifecycle and application review.
	ProjectStationActivity     = "ProjectStation"
	ProjectApplicationActivity = "ProjectApplication"
	AmendApplicationActivity   = "AmendApplication"
	StartContractActivity      = "StartContract"
	// Supervision and rectification.
	SupervisionScheduleActivity   = "SupervisionSchedule"
	OpenSupervisionActivity       = "OpenSupervision"
	IssueScorecardActivity        = "IssueScorecard"
	MarkSupervisionMissedActivity = "MarkSupervisionMissed"
	ProjectRectificationActivity  = "ProjectRectification"
	OpenRectificationsActivity    = "OpenRectifications"
	// Annual evaluation, renewal and the cycle.
	AnnualRubricActivity      = "AnnualRubric"
	ProjectEvaluationActivity = "ProjectEvaluation"
	AssignEvaluatorActivity   = "AssignEvaluator"
	RecordEvaluationActivity  = "RecordEvaluation"
	ContractTermActivity      = "ContractTerm"
	ApplyRenewalActivity      = "ApplyRenewal"
	StartEvaluationsActivity  = "StartEvaluations"
	CycleRemainingActivity    = "CycleRemaining"
	SetCycleStateActivity     = "SetCycleState"
	CancelEvaluationsActivity = "CancelEvaluations"
	// Any workflow: a projection that failed for good.
	RecordProjectionFailureActivity = "RecordProjectionFailure"
)

// ActivityNames lists every activity name.
var ActivityNames = []string{
	TaskPolicyActivity, AddWorkdaysActivity, WorkdaysBetweenActivity, ProjectTaskActivity, NotifyActivity,
	ProjectStationActivity, ProjectApplicationActivity, AmendApplicationActivity, StartContractActivity,
	SupervisionScheduleActivity, OpenSupervisionActivity, IssueScorecardActivity, MarkSupervisionMissedActivity, ProjectRectificationActivity, OpenRectificationsActivity,
	AnnualRubricActivity, ProjectEvaluationActivity, AssignEvaluatorActivity, RecordEvaluationActivity, ContractTermActivity, ApplyRenewalActivity, StartEvaluationsActivity, CycleRemainingActivity, SetCycleStateActivity, CancelEvaluationsActivity,
	RecordProjectionFailureActivity,
}
