import Glibc

/// A bounded first-in first-out queue between two threads: `put` waits while it is full,
/// `take` waits while it is empty. The bound keeps memory flat when one side is slower.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    // The mutex guards `items`; both condition variables wait on it.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var slots: [Element?]
    private var head = 0
    private var count = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        slots = Array(repeating: nil, count: capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(notEmpty, nil)
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
    }

    /// Appends an element, waiting for room.
    func put(_ element: Element) {
        pthread_mutex_lock(mutex)
        while count == capacity { pthread_cond_wait(notFull, mutex) }
        slots[(head + count) % capacity] = element
        count += 1
        pthread_cond_signal(notEmpty)
        pthread_mutex_unlock(mutex)
    }

    /// Removes the oldest element, waiting for one.
    func take() -> Element {
        pthread_mutex_lock(mutex)
        while count == 0 { pthread_cond_wait(notEmpty, mutex) }
        let element = slots[head].take()!
        head = (head + 1) % capacity
        count -= 1
        pthread_cond_signal(notFull)
        pthread_mutex_unlock(mutex)
        return element
    }
}
