/** Module trace. */
package dev.tapguard.trace;
