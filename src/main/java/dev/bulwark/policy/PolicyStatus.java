package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The status subresource: whether this node applied the policy, or why it rejected it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyStatus(String status, String message) {
}
