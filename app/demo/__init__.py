"""The demo office (`loketflow demo load`, API.md): the customer case of seed 002 as data.

- `base`: the office, its employer, departments, staff, employees and products;
- `workflows` and `components`: the active workflows and the declaration components;
- `history`: a month of requests in every status, driven through the real engine
  (`history_payloads` plans them).
"""
