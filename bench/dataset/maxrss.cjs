// Preloaded into the measured process (`node --require`): prints its peak resident memory at exit,
// worker threads included (they share the process).
process.on('exit', () => process.stderr.write(`MAXRSS_KB ${process.resourceUsage().maxRSS}\n`));
