package model

// StringArg is one string argument of a configuration block, with the
// field that holds it.
type StringArg struct {
	Name  string
	Value *string
}

// IngestionSource is one kind of ingestion source made of string arguments
// only (cloud_storage, with its formats and time, is decoded apart): the
// one list of its block and argument names that the loader, the plan's
// field list and export read.
type IngestionSource struct {
	Block string
	// Args returns the source's arguments in in, or nil when in has no
	// source of this kind.
	Args func(in *Ingestion) []StringArg
	// New gives in an empty source of this kind and returns its arguments.
	New func(in *Ingestion) []StringArg
}

// IngestionSources are the string-argument ingestion sources.
var IngestionSources = []IngestionSource{
	{
		Block: "aws_kinesis",
		Args:  kinesisArgs,
		New:   func(in *Ingestion) []StringArg { in.AWSKinesis = &KinesisSource{}; return kinesisArgs(in) },
	},
	{
		Block: "azure_event_hubs",
		Args:  eventHubsArgs,
		New:   func(in *Ingestion) []StringArg { in.AzureEventHubs = &EventHubsSource{}; return eventHubsArgs(in) },
	},
	{
		Block: "aws_msk",
		Args:  mskArgs,
		New:   func(in *Ingestion) []StringArg { in.AWSMSK = &MSKSource{}; return mskArgs(in) },
	},
	{
		Block: "confluent_cloud",
		Args:  confluentArgs,
		New:   func(in *Ingestion) []StringArg { in.ConfluentCloud = &ConfluentSource{}; return confluentArgs(in) },
	},
}

func kinesisArgs(in *Ingestion) []StringArg {
	if k := in.AWSKinesis; k != nil {
		return []StringArg{{"stream_arn", &k.StreamARN}, {"consumer_arn", &k.ConsumerARN}, {"aws_role_arn", &k.AWSRoleARN}, {"gcp_service_account", &k.GCPServiceAccount}}
	}
	return nil
}

func eventHubsArgs(in *Ingestion) []StringArg {
	if e := in.AzureEventHubs; e != nil {
		return []StringArg{{"resource_group", &e.ResourceGroup}, {"namespace", &e.Namespace}, {"event_hub", &e.EventHub}, {"client_id", &e.ClientID}, {"tenant_id", &e.TenantID}, {"subscription_id", &e.SubscriptionID}, {"gcp_service_account", &e.GCPServiceAccount}}
	}
	return nil
}

func mskArgs(in *Ingestion) []StringArg {
	if m := in.AWSMSK; m != nil {
		return []StringArg{{"cluster_arn", &m.ClusterARN}, {"topic", &m.Topic}, {"aws_role_arn", &m.AWSRoleARN}, {"gcp_service_account", &m.GCPServiceAccount}}
	}
	return nil
}

func confluentArgs(in *Ingestion) []StringArg {
	if c := in.ConfluentCloud; c != nil {
		return []StringArg{{"bootstrap_server", &c.BootstrapServer}, {"cluster_id", &c.ClusterID}, {"topic", &c.Topic}, {"identity_pool_id", &c.IdentityPoolID}, {"gcp_service_account", &c.GCPServiceAccount}}
	}
	return nil
}
