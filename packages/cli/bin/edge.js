#!/usr/bin/env node
// The `edge` binary. A file kept in the repository, not in dist/: npm links a workspace's bin only
// if the file exists at install time, and dist/ is built after `npm ci`.
import '../dist/bin.js';
