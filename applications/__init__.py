"""Registration (登记) and submission of Table A.1 applications: DB31/T 1368—2022 §6.1–6.2."""
