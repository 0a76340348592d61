// The Agent module.
