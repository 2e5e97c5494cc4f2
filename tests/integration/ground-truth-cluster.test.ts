import { groundTruthSuite } from '../helpers/ground-truth-suite.ts';

groundTruthSuite('Redis Cluster (3 masters, 3 replicas)');
