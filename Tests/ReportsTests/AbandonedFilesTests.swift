import Glibc
import Reports
import TestSupport
import Testing

@Suite struct AbandonedFilesTests {
    let directory = TemporaryDirectory()

    /// The pid of a process that has ended.
    func endedProcessID() -> pid_t {
        let child = fork()
        if child == 0 { _exit(0) }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return child
    }

    func touch(_ name: String) {
        let descriptor = open("\(directory.path)/\(name)", O_WRONLY | O_CREAT, 0o644)
        close(descriptor)
    }

    func exists(_ name: String) -> Bool {
        access("\(directory.path)/\(name)", F_OK) == 0
    }

    @Test func temporariesOfEndedWritersGoOthersStay() {
        let ended = endedProcessID()
        touch(".summary.json.tmp-\(ended)")
        touch(".index.html.tmp-\(getpid())")
        touch("summary.json")
        touch(".hidden")
        AtomicFile.removeAbandonedTemporaries(in: directory.path)
        #expect(!exists(".summary.json.tmp-\(ended)"))
        #expect(exists(".index.html.tmp-\(getpid())"))
        #expect(exists("summary.json"))
        #expect(exists(".hidden"))
    }
}
