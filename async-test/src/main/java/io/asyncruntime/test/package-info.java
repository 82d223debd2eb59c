/**
 * Test support for asyncruntime: {@link io.asyncruntime.test.TaskDumpExtension}, which dumps the pending tasks of
 * every running loop when a JUnit test fails or times out. Add {@code io.asyncruntime:async-test} with test scope.
 */
package io.asyncruntime.test;
