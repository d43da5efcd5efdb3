// Package worker connects stationflow to Temporal: it builds the client
// (with the payload codec that encrypts every payload), registers the
// workflows and activities on a worker, and runs the reconciler that starts
// any station lifecycle a crash left unstarted.
package worker

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/workflows"
)

// ClientOptions says how to reach Temporal.
type ClientOptions struct {
	HostPort  string
	Namespace string
	// Keys encrypt payloads; the first encrypts, all decrypt.
	Keys   []codec.Key
	Logger *slog.Logger
}

// DataConverter is the converter every stationflow client and replayer uses.
func DataConverter(keys []codec.Key) converter.DataConverter {
	return codec.NewDataConverter(codec.NewPayloadCodec(keys...))
}

// Dial connects a Temporal client with the payload codec.
func Dial(ctx context.Context, o ClientOptions) (client.Client, error) {
	if len(o.Keys) == 0 {
		return nil, fmt.Errorf("no payload encryption key: set STATIONFLOW_CODEC_KEY or STATIONFLOW_CODEC_KEY_FILE")
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	c, err := client.DialContext(ctx, client.Options{
		HostPort:      o.HostPort,
		Namespace:     o.Namespace,
		DataConverter: DataConverter(o.Keys),
		Logger:        tlog.NewStructuredLogger(logger.With("component", "temporal-client")),
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to Temporal at %s (namespace %s): %w", o.HostPort, o.Namespace, err)
	}
	return c, nil
}

// Register puts every stationflow workflow and activity on w.
func Register(w sdkworker.Registry, acts *activities.Activities) {
	w.RegisterWorkflow(workflows.StationWorkflow)
	w.RegisterWorkflow(workflows.HumanTaskWorkflow)
	w.RegisterWorkflow(workflows.SupervisionWorkflow)
	w.RegisterWorkflow(workflows.RectificationWorkflow)
	w.RegisterWorkflow(workflows.EvaluationWorkflow)
	w.RegisterWorkflow(workflows.CycleWorkflow)
	w.RegisterActivity(acts)
}

// New builds a worker on the task queue with everything registered.
func New(c client.Client, taskQueue string, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{})
	Register(w, acts)
	return w
}
