/** Module agent. */
package dev.tapguard.agent;
