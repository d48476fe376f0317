package dev.hangar.runtime.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event streamed while a prediction runs.
 *
 * @param type {@code log} ({@code {"stream","line"}}), {@code token} ({@code {"text"}}) or
 *             {@code progress} ({@code {"fraction","message"}})
 * @param data the event's JSON payload
 */
public record StreamEvent(String type, JsonNode data) {}
