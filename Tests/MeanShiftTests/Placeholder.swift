import Testing

@Test func placeholderMeanShiftTests() {}
