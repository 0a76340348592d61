import Testing

@Test func placeholderEventStoreTests() {}
