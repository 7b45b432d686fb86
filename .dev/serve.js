require('./hook');
require('reflect-metadata');
require('./serve.ts');
