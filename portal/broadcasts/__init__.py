"""Policy broadcasts: write once, reach exactly the right people, prove who read and
acknowledged, and see where a policy fades on its way down a partner (层层衰减)."""
