import Testing

@Test func placeholderSerialDevicesTests() {}
