// The MeanShift module.
