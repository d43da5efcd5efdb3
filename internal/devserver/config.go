package devserver

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// portPlan is every port the server binds, on one IP.
type portPlan struct {
	ip                                                string
	frontend, frontendHTTP, history, matching, worker int
}

func (p portPlan) hostPort(port int) string { return net.JoinHostPort(p.ip, strconv.Itoa(port)) }

// reservePorts claims the ports o names (failing with *PortInUseError when
// one is taken) and picks free ones for the rest, all held in ports until it
// is released.
func reservePorts(ports *portSet, o Options) (portPlan, error) {
	p := portPlan{ip: o.IP, frontend: o.FrontendPort}
	var err error
	if p.frontend == 0 {
		if p.frontend, err = ports.pick("frontend"); err != nil {
			return p, err
		}
	} else if err := ports.claim(p.frontend, "frontend", "--temporal-port"); err != nil {
		return p, err
	}
	if o.UIPort != 0 {
		if err := ports.claim(o.UIPort, "Web UI", "--ui-port"); err != nil {
			return p, err
		}
	}
	for _, internal := range []struct {
		port *int
		what string
	}{{&p.frontendHTTP, "frontend HTTP"}, {&p.history, "history"}, {&p.matching, "matching"}, {&p.worker, "worker"}} {
		if *internal.port, err = ports.pick(internal.what); err != nil {
			return p, err
		}
	}
	return p, nil
}

// stores is where the server keeps its state and its visibility records.
type stores struct {
	main, visibility *config.SQL
}

// preparePersistence chooses PostgreSQL or SQLite, makes sure the schema
// exists, and registers the namespace. Registering is a no-op when the
// namespace exists; its search attributes are then reconciled through the
// operator service once the server runs.
func preparePersistence(o Options, logger log.Logger) (stores, error) {
	var st stores
	var err error
	if o.PostgresURL != "" {
		if st.main, st.visibility, err = postgresConfigs(o.PostgresURL, logger); err != nil {
			return st, err
		}
	} else {
		if st.main, err = sqliteConfig(o.DataDir); err != nil {
			return st, err
		}
		st.visibility = st.main
	}
	nsConfig, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return st, fmt.Errorf("namespace %s: %w", o.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(st.main, nsConfig); err != nil {
		return st, fmt.Errorf("register namespace %s: %w", o.Namespace, err)
	}
	return st, nil
}

// serverConfig is a one-host cluster: one history shard, every service on
// the planned ports, no archival.
func serverConfig(p portPlan, st stores) *config.Config {
	frontend := p.hostPort(p.frontend)
	cfg := &config.Config{}
	cfg.Global.Membership.MaxJoinDuration = 30 * time.Second
	cfg.Global.Membership.BroadcastAddress = p.ip
	cfg.Persistence.NumHistoryShards = 1
	cfg.Persistence.DefaultStore = "default"
	cfg.Persistence.VisibilityStore = "visibility"
	cfg.Persistence.DataStores = map[string]config.DataStore{
		"default":    {SQL: st.main},
		"visibility": {SQL: st.visibility},
	}
	cfg.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            p.hostPort(p.frontendHTTP),
			},
		},
	}
	cfg.DCRedirectionPolicy.Policy = "noop"
	service := func(grpcPort, httpPort int) config.Service {
		var svc config.Service
		svc.RPC.GRPCPort = grpcPort
		svc.RPC.HTTPPort = httpPort
		svc.RPC.BindOnIP = p.ip
		return svc
	}
	cfg.Services = map[string]config.Service{
		string(primitives.FrontendService): service(p.frontend, p.frontendHTTP),
		string(primitives.HistoryService):  service(p.history, 0),
		string(primitives.MatchingService): service(p.matching, 0),
		string(primitives.WorkerService):   service(p.worker, 0),
	}
	cfg.Archival.History.State = "disabled"
	cfg.Archival.Visibility.State = "disabled"
	cfg.NamespaceDefaults.Archival.History.State = "disabled"
	cfg.NamespaceDefaults.Archival.Visibility.State = "disabled"
	cfg.PublicClient.HostPort = frontend
	return cfg
}

// dynamicConfig is this package's defaults, the PostgreSQL setting when it
// applies, and then the caller's values.
func dynamicConfig(o Options) dynamicconfig.StaticClient {
	dc := dynamicconfig.StaticClient{}
	for k, v := range defaultDynamicConfig() {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	if o.PostgresURL != "" {
		// A shard writes to persistence one request at a time by default.
		// With a single shard and a network round trip per statement that
		// capped PostgreSQL at ~37 workflows/s in the benchmark; 8 in
		// flight gave ~97. (SQLite has one connection, so it gains nothing.)
		dc[dynamicconfig.MakeKey("history.shardIOConcurrency")] = 8
	}
	for k, v := range o.DynamicConfig {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	return dc
}

// serverOptions are the temporal.NewServer options of the planned server:
// its config, static hosts (no membership ring to join), logger, the
// default authorizer and claim mapper, and the dynamic config.
func serverOptions(o Options, p portPlan, st stores, logger log.Logger) ([]temporal.ServerOption, error) {
	cfg := serverConfig(p, st)
	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("claim mapper: %w", err)
	}
	single := func(port int) static.Hosts { return static.SingleLocalHost(p.hostPort(port)) }
	return []temporal.ServerOption{
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: single(p.frontend),
			primitives.HistoryService:  single(p.history),
			primitives.MatchingService: single(p.matching),
			primitives.WorkerService:   single(p.worker),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig(o)),
	}, nil
}
