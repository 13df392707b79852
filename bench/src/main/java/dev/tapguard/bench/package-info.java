/** Benchmarks: JMH classes and the side-by-side bench commands that print figures and ratios. */
package dev.tapguard.bench;
