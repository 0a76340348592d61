import Testing

@Test func placeholderSensorFormatTests() {}
