package memlimit

// LimitFrom exposes limitFrom, which reads from a given file system, to the tests.
var LimitFrom = limitFrom
