import { groundTruthSuite } from '../helpers/ground-truth-suite.ts';

groundTruthSuite('single Redis');
