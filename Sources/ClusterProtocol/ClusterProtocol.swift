// The ClusterProtocol module.
